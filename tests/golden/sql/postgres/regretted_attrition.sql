-- query 1
SELECT
  "t10"."pid",
  "t10"."team",
  SUM("t10"."days") AS "person_days",
  COUNT(*) FILTER(WHERE
    "t10"."days" > 0) AS "people",
  COUNT(*) FILTER(WHERE
    "t10"."voluntary") AS "voluntary",
  COUNT(*) FILTER(WHERE
    "t10"."regretted_leaver") AS "regretted",
  COUNT(*) FILTER(WHERE
    "t10"."unknown_regret") AS "unknown"
FROM (
  SELECT
    "t9"."id",
    COALESCE(NULLIF(TRIM(' 	
' FROM "t9"."team"), ''), '(no team)') AS "team",
    "t9"."started_on",
    "t9"."left_on",
    "t9"."leave_kind",
    "t9"."regretted",
    "t9"."on_call",
    "t9"."pid",
    "t9"."p_start",
    "t9"."p_end",
    "t9"."p_start_date",
    "t9"."p_end_date",
    "t9"."p_days",
    "t9"."p_end_date" - INTERVAL '1 DAY' AS "p_last_date",
    GREATEST(
      CAST(EXTRACT(epoch FROM CAST(LEAST(
        COALESCE("t9"."left_on", "t9"."p_end_date" - INTERVAL '1 DAY'),
        "t9"."p_end_date" - INTERVAL '1 DAY'
      ) AS TIMESTAMP) - CAST(GREATEST(
        COALESCE("t9"."started_on", "t9"."p_end_date" - INTERVAL '365 DAY'),
        "t9"."p_end_date" - INTERVAL '365 DAY'
      ) AS TIMESTAMP)) / 86400 AS BIGINT) + 1,
      0
    ) AS "days",
    "t9"."left_on" BETWEEN "t9"."p_end_date" - INTERVAL '365 DAY' AND "t9"."p_end_date" - INTERVAL '1 DAY'
    AND COALESCE("t9"."leave_kind" = 'voluntary', FALSE) AS "voluntary",
    "t9"."left_on" BETWEEN "t9"."p_end_date" - INTERVAL '365 DAY' AND "t9"."p_end_date" - INTERVAL '1 DAY'
    AND COALESCE("t9"."leave_kind" = 'voluntary', FALSE)
    AND COALESCE("t9"."regretted", FALSE) AS "regretted_leaver",
    "t9"."left_on" BETWEEN "t9"."p_end_date" - INTERVAL '365 DAY' AND "t9"."p_end_date" - INTERVAL '1 DAY'
    AND COALESCE("t9"."leave_kind" = 'voluntary', FALSE)
    AND (
      "t9"."regretted" IS NULL
    ) AS "unknown_regret"
  FROM (
    SELECT
      "t8"."id",
      "t8"."team",
      "t8"."started_on",
      "t8"."left_on",
      "t8"."leave_kind",
      "t8"."regretted",
      "t8"."on_call",
      "t2"."pid",
      "t2"."p_start",
      "t2"."p_end",
      "t2"."p_start_date",
      "t2"."p_end_date",
      "t2"."p_days"
    FROM (
      SELECT
        "t6"."id",
        "t6"."team",
        "t6"."started_on",
        "t6"."left_on",
        "t6"."leave_kind",
        "t6"."regretted",
        "t6"."on_call"
      FROM (
        SELECT
          "t5"."id",
          "t5"."team",
          "t5"."role",
          "t5"."started_on",
          "t5"."left_on",
          "t5"."leave_kind",
          "t5"."regretted",
          "t5"."on_call",
          "t5"."source",
          "t5"."source_id",
          "t5"."row_hash",
          "t5"."origin",
          "t5"."imported_at"
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t3"."id",
              "t3"."team",
              "t3"."role",
              "t3"."started_on",
              "t3"."left_on",
              "t3"."leave_kind",
              "t3"."regretted",
              "t3"."on_call",
              "t3"."source",
              "t3"."source_id",
              "t3"."row_hash",
              "t3"."origin",
              "t3"."imported_at",
              ROW_NUMBER() OVER (
                PARTITION BY "t3"."id"
                ORDER BY "t3"."imported_at" DESC NULLS LAST, "t3"."source" DESC NULLS LAST, "t3"."source_id" DESC NULLS LAST
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
              ) - 1 AS "_rank"
            FROM (
              SELECT
                *
              FROM "person" AS "t1"
              WHERE
                "t1"."source" <> 'auto'
            ) AS "t3"
          ) AS "t4"
          WHERE
            "t4"."_rank" = 0
        ) AS "t5"
      ) AS "t6"
    ) AS "t8"
    CROSS JOIN "memtable_1" AS "t2"
  ) AS "t9"
) AS "t10"
GROUP BY
  1,
  2;
