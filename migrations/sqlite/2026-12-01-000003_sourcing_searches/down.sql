DROP TABLE sourcing_searches;
