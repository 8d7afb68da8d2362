DROP TABLE shortlist_notices;
DROP TABLE notification_settings;
DROP TABLE notifications;
DROP TABLE review_links;
