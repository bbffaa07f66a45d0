-- The column order is a storage detail: nothing to undo.
SELECT 1;
