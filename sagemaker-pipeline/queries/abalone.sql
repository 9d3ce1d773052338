-- The abalone measurements of one region in the run's window (queries/<name>.sql; see docs/sql-source.md).
-- :region is bound by the driver from pipeline.yaml's parameters, :window_start and :window_end from its window:
-- never formatted into the SQL. The columns are the order scripts/preprocess.py reads (no header).
SELECT sex, length, diameter, height, whole_weight, shucked_weight, viscera_weight, shell_weight, rings
FROM abalone_measurements
WHERE region = :region
  AND measured_on >= :window_start
  AND measured_on < :window_end
ORDER BY id
