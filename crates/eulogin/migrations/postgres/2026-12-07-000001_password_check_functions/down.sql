DROP FUNCTION record_password_success(TEXT, TIMESTAMP, TEXT, TEXT, TEXT, TEXT, TEXT);
DROP FUNCTION reserve_password_check(TEXT, INTEGER);
