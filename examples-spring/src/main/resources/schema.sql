DROP TABLE IF EXISTS crm_contact;
CREATE TABLE crm_contact (id BIGINT PRIMARY KEY, name VARCHAR(100), email VARCHAR(200), phone VARCHAR(40),
  country CHAR(2) NOT NULL);
