DROP TABLE skill_overrides;
