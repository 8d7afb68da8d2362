DROP TABLE post_templates;
