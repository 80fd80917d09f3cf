-- 300 synthetic contacts (H2's SYSTEM_RANGE); nothing here is anyone's real data
INSERT INTO crm_contact (id, name, email, phone, country)
SELECT X, 'Contact ' || X, 'contact' || X || '@example.org', '+31 6' || LPAD(CAST(X AS VARCHAR), 8, '0'),
       CASE MOD(X, 3) WHEN 2 THEN 'BE' ELSE 'NL' END
FROM SYSTEM_RANGE(1, 300);
