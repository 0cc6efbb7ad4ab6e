ALTER TABLE accounts DROP COLUMN always_mfa;
DROP TABLE second_factors;
