-- Sessions: seats left and the application deadline (A03 "seats left"; issue 3).
-- Keep in step with ../postgres/0002_session_availability.sql.
ALTER TABLE sessions ADD COLUMN seats_left INTEGER;
ALTER TABLE sessions ADD COLUMN application_deadline TEXT;
