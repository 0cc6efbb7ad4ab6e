DROP TABLE service_environment;
