INSERT INTO crm_contact (id, name, email, phone, country) VALUES
  (1, 'Anna Jansen', 'anna.jansen@example.org', '+31 600000001', 'NL'),
  (2, 'Bram de Vries', 'bram.devries@example.org', '+31 600000002', 'NL'),
  (3, 'Cato Bakker', 'cato.bakker@example.org', '+31 600000003', 'NL'),
  (4, 'Daan Visser', 'daan.visser@example.org', '+31 600000004', 'NL'),
  (5, 'Eva Smit', 'eva.smit@example.org', '+31 600000005', 'NL'),
  (6, 'Fien Peeters', 'fien.peeters@example.org', '+32 400000006', 'BE');
