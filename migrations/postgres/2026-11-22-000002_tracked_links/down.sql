DROP TABLE link_clicks;
DROP TABLE tracked_links;
