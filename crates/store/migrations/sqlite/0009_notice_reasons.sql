-- The reason a provider gives for a change or an abolition (様式第3号「変更の理由」, 様式第4号
-- 「廃止の理由」; issue 13 item 6). Notices filed before this have none. Kept in step with the
-- other backend's file of the same name.
ALTER TABLE designation_notices ADD COLUMN reason TEXT NOT NULL DEFAULT '';
