DROP TABLE alert_sends;
DROP TABLE alert_subscribers;
