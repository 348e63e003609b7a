-- query 1
SELECT
  "t0"."id",
  "t0"."name",
  "t0"."tier",
  "t0"."slo_availability"
FROM "service" AS "t0";

-- query 2
SELECT
  "t12"."pid",
  "t12"."service",
  SUM("t12"."secs") AS "secs",
  SUM("t12"."k") AS "k"
FROM (
  SELECT
    "t11"."pid",
    "t11"."service",
    "t11"."island",
    "t11"."s",
    "t11"."e",
    "t11"."k",
    DATE_PART('epoch', "t11"."e") - DATE_PART('epoch', "t11"."s") AS "secs"
  FROM (
    SELECT
      "t10"."pid",
      "t10"."service",
      "t10"."island",
      MIN("t10"."win_start") AS "s",
      MAX("t10"."win_end") AS "e",
      COUNT(*) AS "k"
    FROM (
      SELECT
        "t9"."pid",
        "t9"."id",
        "t9"."service",
        "t9"."win_start",
        "t9"."win_end",
        "t9"."reach",
        "t9"."opens",
        SUM("t9"."opens") OVER (
          PARTITION BY "t9"."pid", "t9"."service"
          ORDER BY "t9"."win_start" ASC, "t9"."win_end" ASC, "t9"."id" ASC
          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS "island"
      FROM (
        SELECT
          "t8"."pid",
          "t8"."id",
          "t8"."service",
          "t8"."win_start",
          "t8"."win_end",
          "t8"."reach",
          CASE
            WHEN (
              "t8"."reach" IS NULL
            ) OR (
              "t8"."win_start" > "t8"."reach"
            )
            THEN 1
            ELSE 0
          END AS "opens"
        FROM (
          SELECT
            "t7"."pid",
            "t7"."id",
            "t7"."service",
            "t7"."win_start",
            "t7"."win_end",
            MAX("t7"."win_end") OVER (
              PARTITION BY "t7"."pid", "t7"."service"
              ORDER BY "t7"."win_start" ASC, "t7"."win_end" ASC, "t7"."id" ASC
              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 preceding
            ) AS "reach"
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t5"."pid",
                "t5"."id",
                "t5"."service",
                GREATEST("t5"."impact_start", "t5"."p_start") AS "win_start",
                LEAST(
                  COALESCE(
                    CASE
                      WHEN "t5"."until" < "t5"."p_end"
                      THEN "t5"."until"
                      ELSE CAST(NULL AS TIMESTAMP(6))
                    END,
                    "t5"."p_end"
                  ),
                  "t5"."p_end"
                ) AS "win_end"
              FROM (
                SELECT
                  "t4"."id",
                  "t4"."service",
                  "t4"."opened_at",
                  "t4"."impact_start",
                  "t4"."until",
                  "t2"."pid",
                  "t2"."p_start",
                  "t2"."p_end",
                  "t2"."p_start_date",
                  "t2"."p_end_date",
                  "t2"."p_days"
                FROM (
                  SELECT
                    "t0"."id",
                    "t0"."service",
                    "t0"."opened_at",
                    COALESCE("t0"."impact_start", "t0"."opened_at") AS "impact_start",
                    COALESCE("t0"."impact_end", "t0"."resolved_at") AS "until"
                  FROM "incident" AS "t0"
                  WHERE
                    NOT (
                      COALESCE("t0"."is_maintenance", FALSE)
                    )
                    AND "t0"."severity" IN ('P1', 'P2')
                    AND "t0"."service" IS NOT NULL
                    AND "t0"."opened_at" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
                    AND (
                      (
                        COALESCE("t0"."impact_end", "t0"."resolved_at") IS NULL
                      )
                      OR (
                        COALESCE("t0"."impact_end", "t0"."resolved_at") > CAST('2023-10-01T00:00:00' AS TIMESTAMP)
                      )
                    )
                ) AS "t4"
                INNER JOIN "memtable_1" AS "t2"
                  ON "t4"."opened_at" < "t2"."p_end"
              ) AS "t5"
            ) AS "t6"
            WHERE
              "t6"."win_end" > "t6"."win_start"
          ) AS "t7"
        ) AS "t8"
      ) AS "t9"
    ) AS "t10"
    GROUP BY
      1,
      2,
      3
  ) AS "t11"
) AS "t12"
GROUP BY
  1,
  2;
