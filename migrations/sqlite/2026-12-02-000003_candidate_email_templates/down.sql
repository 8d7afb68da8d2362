DROP TABLE candidate_email_templates;
