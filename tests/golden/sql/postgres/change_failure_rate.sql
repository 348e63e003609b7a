-- query 1
SELECT
  "t25"."pid",
  "t25"."service",
  "t25"."reason",
  COUNT(*) AS "k",
  COUNT("t25"."outcome") AS "with_outcome"
FROM (
  SELECT
    "t24"."pid",
    "t24"."service",
    "t24"."outcome",
    CASE
      WHEN LOWER(TRIM(' 	
' FROM "t24"."outcome")) IN ('failed', 'rolled_back')
      THEN LOWER(TRIM(' 	
' FROM "t24"."outcome"))
      WHEN COALESCE("t24"."named_at" < "t24"."p_end", FALSE)
      OR COALESCE("t24"."blamed_at" < "t24"."p_end", FALSE)
      THEN 'caused_incident'
      ELSE CAST(NULL AS VARCHAR)
    END AS "reason"
  FROM (
    SELECT
      "t23"."id",
      "t23"."deployed_at",
      "t23"."service",
      "t23"."kind",
      "t23"."environment",
      "t23"."outcome",
      "t23"."created_at",
      "t23"."first_commit_at",
      "t23"."title",
      "t23"."source",
      "t23"."source_id",
      "t23"."row_hash",
      "t23"."origin",
      "t23"."imported_at",
      "t23"."chg",
      "t23"."named_at",
      "t23"."chg2",
      "t23"."blamed_at",
      "t23"."pid",
      "t23"."p_start",
      "t23"."p_end",
      "t23"."p_start_date",
      "t23"."p_end_date",
      "t23"."p_days"
    FROM (
      SELECT
        "t22"."id",
        "t22"."deployed_at",
        "t22"."service",
        "t22"."kind",
        "t22"."environment",
        "t22"."outcome",
        "t22"."created_at",
        "t22"."first_commit_at",
        "t22"."title",
        "t22"."source",
        "t22"."source_id",
        "t22"."row_hash",
        "t22"."origin",
        "t22"."imported_at",
        "t22"."chg",
        "t22"."named_at",
        "t22"."chg2",
        "t22"."blamed_at",
        "t22"."_bucket",
        "t3"."pid",
        "t3"."p_start",
        "t3"."p_end",
        "t3"."p_start_date",
        "t3"."p_end_date",
        "t3"."p_days"
      FROM (
        SELECT
          "t20"."id",
          "t20"."deployed_at",
          "t20"."service",
          "t20"."kind",
          "t20"."environment",
          "t20"."outcome",
          "t20"."created_at",
          "t20"."first_commit_at",
          "t20"."title",
          "t20"."source",
          "t20"."source_id",
          "t20"."row_hash",
          "t20"."origin",
          "t20"."imported_at",
          "t20"."chg",
          "t20"."named_at",
          "t20"."chg2",
          "t20"."blamed_at",
          DATE_TRUNC('QUARTER', "t20"."deployed_at") AS "_bucket"
        FROM (
          SELECT
            "t10"."id",
            "t10"."deployed_at",
            "t10"."service",
            "t10"."kind",
            "t10"."environment",
            "t10"."outcome",
            "t10"."created_at",
            "t10"."first_commit_at",
            "t10"."title",
            "t10"."source",
            "t10"."source_id",
            "t10"."row_hash",
            "t10"."origin",
            "t10"."imported_at",
            "t13"."chg",
            "t13"."named_at",
            "t19"."chg2",
            "t19"."blamed_at"
          FROM (
            SELECT
              *
            FROM "change" AS "t1"
            WHERE
              (
                NULLIF(LOWER(TRIM(' 	
' FROM "t1"."environment")), '') IS NULL
              )
              OR NULLIF(LOWER(TRIM(' 	
' FROM "t1"."environment")), '') IN ('production', 'prod', 'prd', 'live', 'prod-eu', 'prod-us')
          ) AS "t10"
          LEFT OUTER JOIN (
            SELECT
              "t4"."caused_by_change" AS "chg",
              MIN("t4"."opened_at") AS "named_at"
            FROM (
              SELECT
                *
              FROM "incident" AS "t2"
              WHERE
                NOT (
                  COALESCE("t2"."is_maintenance", FALSE)
                )
                AND "t2"."opened_at" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
                AND "t2"."caused_by_change" IS NOT NULL
            ) AS "t4"
            GROUP BY
              1
          ) AS "t13"
            ON "t10"."id" = "t13"."chg"
          LEFT OUTER JOIN (
            SELECT
              "t17"."ok_id" AS "chg2",
              MIN("t17"."inc_at") AS "blamed_at"
            FROM (
              SELECT
                "t16"."inc_service",
                "t16"."inc_at",
                "t16"."last_ok",
                "t11"."ok_id",
                "t11"."ok_service",
                "t11"."ok_at"
              FROM (
                SELECT
                  "t14"."service" AS "inc_service",
                  "t14"."at" AS "inc_at",
                  "t14"."last_ok"
                FROM (
                  SELECT
                    "t12"."service",
                    "t12"."at",
                    "t12"."is_incident",
                    MAX(
                      CASE WHEN "t12"."is_incident" = 0 THEN "t12"."at" ELSE CAST(NULL AS TIMESTAMP) END
                    ) OVER (
                      PARTITION BY "t12"."service"
                      ORDER BY "t12"."at" ASC, "t12"."is_incident" ASC
                      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                    ) AS "last_ok"
                  FROM (
                    SELECT
                      *
                    FROM (
                      SELECT
                        "t1"."service",
                        "t1"."deployed_at" AS "at",
                        0 AS "is_incident"
                      FROM "change" AS "t1"
                      WHERE
                        (
                          (
                            NULLIF(LOWER(TRIM(' 	
' FROM "t1"."environment")), '') IS NULL
                          )
                          OR NULLIF(LOWER(TRIM(' 	
' FROM "t1"."environment")), '') IN ('production', 'prod', 'prd', 'live', 'prod-eu', 'prod-us')
                        )
                        AND (
                          (
                            LOWER(TRIM(' 	
' FROM "t1"."outcome")) IS NULL
                          )
                          OR (
                            LOWER(TRIM(' 	
' FROM "t1"."outcome")) = 'success'
                          )
                        )
                        AND "t1"."deployed_at" >= (
                          CAST('2023-10-01T00:00:00' AS TIMESTAMP) - INTERVAL '86400 SECOND'
                        )
                        AND "t1"."deployed_at" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
                    ) AS "t8"
                    UNION ALL
                    SELECT
                      *
                    FROM (
                      SELECT
                        "t2"."service",
                        "t2"."opened_at" AS "at",
                        1 AS "is_incident"
                      FROM "incident" AS "t2"
                      WHERE
                        NOT (
                          COALESCE("t2"."is_maintenance", FALSE)
                        )
                        AND "t2"."opened_at" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
                        AND "t2"."caused_by_change" IS NULL
                        AND "t2"."service" IS NOT NULL
                        AND "t2"."opened_at" >= CAST('2023-10-01T00:00:00' AS TIMESTAMP)
                    ) AS "t5"
                  ) AS "t12"
                ) AS "t14"
                WHERE
                  "t14"."is_incident" = 1
                  AND "t14"."last_ok" IS NOT NULL
                  AND "t14"."last_ok" >= (
                    "t14"."at" - INTERVAL '86400 SECOND'
                  )
              ) AS "t16"
              INNER JOIN (
                SELECT
                  "t1"."id" AS "ok_id",
                  "t1"."service" AS "ok_service",
                  "t1"."deployed_at" AS "ok_at"
                FROM "change" AS "t1"
                WHERE
                  (
                    (
                      NULLIF(LOWER(TRIM(' 	
' FROM "t1"."environment")), '') IS NULL
                    )
                    OR NULLIF(LOWER(TRIM(' 	
' FROM "t1"."environment")), '') IN ('production', 'prod', 'prd', 'live', 'prod-eu', 'prod-us')
                  )
                  AND (
                    (
                      LOWER(TRIM(' 	
' FROM "t1"."outcome")) IS NULL
                    )
                    OR (
                      LOWER(TRIM(' 	
' FROM "t1"."outcome")) = 'success'
                    )
                  )
                  AND "t1"."deployed_at" >= (
                    CAST('2023-10-01T00:00:00' AS TIMESTAMP) - INTERVAL '86400 SECOND'
                  )
                  AND "t1"."deployed_at" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
              ) AS "t11"
                ON "t16"."inc_service" = "t11"."ok_service" AND "t16"."last_ok" = "t11"."ok_at"
            ) AS "t17"
            GROUP BY
              1
          ) AS "t19"
            ON "t10"."id" = "t19"."chg2"
        ) AS "t20"
        WHERE
          "t20"."deployed_at" >= CAST('2023-10-01T00:00:00' AS TIMESTAMP)
          AND "t20"."deployed_at" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
      ) AS "t22"
      INNER JOIN "memtable_1" AS "t3"
        ON "t22"."_bucket" = "t3"."p_start"
    ) AS "t23"
  ) AS "t24"
) AS "t25"
GROUP BY
  1,
  2,
  3;

-- query 2
SELECT
  "t0"."id",
  "t0"."name",
  "t0"."tier",
  "t0"."slo_availability"
FROM "service" AS "t0";
