-- (Reviewers would have to lose their role first; the table is not made
-- again here: down migrations are not run by the app.)
SELECT 1;
