-- query 1
WITH "t8" AS (
  SELECT
    "t6"."kind",
    "t6"."pid",
    (
      "t6"."delivered_on" IS NULL
    )
    OR (
      "t6"."delivered_on" >= "t6"."p_end_date"
    ) AS "open_at_end",
    GREATEST(
      DATE_DIFF(
        'DAY',
        "t6"."due_on",
        CASE
          WHEN (
            "t6"."delivered_on" IS NULL
          )
          OR (
            "t6"."delivered_on" >= "t6"."p_end_date"
          )
          THEN "t6"."p_end_date"
          ELSE "t6"."delivered_on"
        END
      ),
      0
    ) AS "late_days",
    (
      GREATEST(
        DATE_DIFF(
          'DAY',
          "t6"."due_on",
          CASE
            WHEN (
              "t6"."delivered_on" IS NULL
            )
            OR (
              "t6"."delivered_on" >= "t6"."p_end_date"
            )
            THEN "t6"."p_end_date"
            ELSE "t6"."delivered_on"
          END
        ),
        0
      ) * 100.0
    ) / NULLIF(DATE_DIFF('DAY', "t6"."committed_on", "t6"."due_on"), 0) AS "slip"
  FROM (
    SELECT
      "t5".*
      EXCLUDE ("_bucket")
    FROM (
      SELECT
        "t4"."id",
        "t4"."kind",
        "t4"."due_on",
        "t4"."committed_on",
        "t4"."delivered_on",
        "t4"."team",
        "t4"."project",
        "t4"."scope_committed",
        "t4"."scope_delivered",
        "t4"."scope_added",
        "t4"."title",
        "t4"."source",
        "t4"."source_id",
        "t4"."row_hash",
        "t4"."origin",
        "t4"."imported_at",
        "t4"."_bucket",
        "t2"."pid",
        "t2"."p_start",
        "t2"."p_end",
        "t2"."p_start_date",
        "t2"."p_end_date",
        "t2"."p_days"
      FROM (
        SELECT
          "t0"."id",
          "t0"."kind",
          "t0"."due_on",
          "t0"."committed_on",
          "t0"."delivered_on",
          "t0"."team",
          "t0"."project",
          "t0"."scope_committed",
          "t0"."scope_delivered",
          "t0"."scope_added",
          "t0"."title",
          "t0"."source",
          "t0"."source_id",
          "t0"."row_hash",
          "t0"."origin",
          "t0"."imported_at",
          DATE_TRUNC('QUARTER', "t0"."due_on") AS "_bucket"
        FROM "commitment" AS "t0"
        WHERE
          "t0"."due_on" >= MAKE_DATE(2023, 10, 1) AND "t0"."due_on" < MAKE_DATE(2024, 4, 1)
      ) AS "t4"
      INNER JOIN "memtable_1" AS "t2"
        ON "t4"."_bucket" = "t2"."p_start_date"
    ) AS "t5"
  ) AS "t6"
  WHERE
    (
      (
        "t6"."committed_on" IS NULL
      )
      OR (
        "t6"."committed_on" < "t6"."p_end_date"
      )
    )
    AND "t6"."kind" <> 'sprint'
    AND "t6"."committed_on" IS NOT NULL
    AND "t6"."due_on" > "t6"."committed_on"
)
SELECT
  *
FROM (
  SELECT
    "t16"."pid",
    "t16"."grain",
    "t16"."kind",
    "t16"."value",
    "t16"."n",
    "t16"."late",
    "t16"."still_open",
    CAST(NULL AS BIGINT) AS "nth",
    CAST(NULL AS TEXT) AS "id",
    CAST(NULL AS TEXT) AS "title",
    CAST(NULL AS TEXT) AS "project",
    CAST(NULL AS TEXT) AS "team",
    CAST(NULL AS BIGINT) AS "late_days",
    CAST(NULL AS BIGINT) AS "plan_days",
    CAST(NULL AS DOUBLE) AS "slip",
    CAST(NULL AS BOOLEAN) AS "open_at_end"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t11"."pid",
        'all' AS "grain",
        CAST(NULL AS TEXT) AS "kind",
        "t11"."value",
        "t11"."n",
        "t11"."late",
        "t11"."still_open"
      FROM (
        SELECT
          "t9"."pid",
          QUANTILE_CONT("t9"."slip", 0.5) AS "value",
          COUNT(*) AS "n",
          SUM(CAST("t9"."late_days" > 0 AS INT)) AS "late",
          SUM(CAST("t9"."open_at_end" AS INT)) AS "still_open"
        FROM "t8" AS "t9"
        GROUP BY
          1
      ) AS "t11"
    ) AS "t13"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t12"."pid",
        'kind' AS "grain",
        "t12"."kind",
        "t12"."value",
        "t12"."n",
        "t12"."late",
        "t12"."still_open"
      FROM (
        SELECT
          "t9"."pid",
          "t9"."kind",
          QUANTILE_CONT("t9"."slip", 0.5) AS "value",
          COUNT(*) AS "n",
          SUM(CAST("t9"."late_days" > 0 AS INT)) AS "late",
          SUM(CAST("t9"."open_at_end" AS INT)) AS "still_open"
        FROM "t8" AS "t9"
        GROUP BY
          1,
          2
      ) AS "t12"
    ) AS "t14"
  ) AS "t16"
) AS "t17"
UNION ALL
SELECT
  *
FROM (
  SELECT
    "t10"."pid",
    'worst' AS "grain",
    CAST(NULL AS TEXT) AS "kind",
    CAST(NULL AS DOUBLE) AS "value",
    CAST(NULL AS BIGINT) AS "n",
    CAST(NULL AS BIGINT) AS "late",
    CAST(NULL AS BIGINT) AS "still_open",
    "t10"."nth",
    "t10"."id",
    "t10"."title",
    "t10"."project",
    "t10"."team",
    "t10"."late_days",
    "t10"."plan_days",
    "t10"."slip",
    "t10"."open_at_end"
  FROM (
    SELECT
      "t7"."id",
      "t7"."kind",
      "t7"."due_on",
      "t7"."committed_on",
      "t7"."delivered_on",
      "t7"."team",
      "t7"."project",
      "t7"."scope_committed",
      "t7"."scope_delivered",
      "t7"."scope_added",
      "t7"."title",
      "t7"."source",
      "t7"."source_id",
      "t7"."row_hash",
      "t7"."origin",
      "t7"."imported_at",
      "t7"."pid",
      "t7"."p_start",
      "t7"."p_end",
      "t7"."p_start_date",
      "t7"."p_end_date",
      "t7"."p_days",
      "t7"."open_at_end",
      "t7"."late_days",
      "t7"."plan_days",
      "t7"."slip",
      ROW_NUMBER() OVER (
        PARTITION BY "t7"."pid"
        ORDER BY "t7"."slip" DESC, "t7"."late_days" DESC, "t7"."id" ASC
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
      ) - 1 AS "nth"
    FROM (
      SELECT
        "t6"."id",
        "t6"."kind",
        "t6"."due_on",
        "t6"."committed_on",
        "t6"."delivered_on",
        "t6"."team",
        "t6"."project",
        "t6"."scope_committed",
        "t6"."scope_delivered",
        "t6"."scope_added",
        "t6"."title",
        "t6"."source",
        "t6"."source_id",
        "t6"."row_hash",
        "t6"."origin",
        "t6"."imported_at",
        "t6"."pid",
        "t6"."p_start",
        "t6"."p_end",
        "t6"."p_start_date",
        "t6"."p_end_date",
        "t6"."p_days",
        (
          "t6"."delivered_on" IS NULL
        )
        OR (
          "t6"."delivered_on" >= "t6"."p_end_date"
        ) AS "open_at_end",
        GREATEST(
          DATE_DIFF(
            'DAY',
            "t6"."due_on",
            CASE
              WHEN (
                "t6"."delivered_on" IS NULL
              )
              OR (
                "t6"."delivered_on" >= "t6"."p_end_date"
              )
              THEN "t6"."p_end_date"
              ELSE "t6"."delivered_on"
            END
          ),
          0
        ) AS "late_days",
        NULLIF(DATE_DIFF('DAY', "t6"."committed_on", "t6"."due_on"), 0) AS "plan_days",
        (
          GREATEST(
            DATE_DIFF(
              'DAY',
              "t6"."due_on",
              CASE
                WHEN (
                  "t6"."delivered_on" IS NULL
                )
                OR (
                  "t6"."delivered_on" >= "t6"."p_end_date"
                )
                THEN "t6"."p_end_date"
                ELSE "t6"."delivered_on"
              END
            ),
            0
          ) * 100.0
        ) / NULLIF(DATE_DIFF('DAY', "t6"."committed_on", "t6"."due_on"), 0) AS "slip"
      FROM (
        SELECT
          "t5".*
          EXCLUDE ("_bucket")
        FROM (
          SELECT
            "t4"."id",
            "t4"."kind",
            "t4"."due_on",
            "t4"."committed_on",
            "t4"."delivered_on",
            "t4"."team",
            "t4"."project",
            "t4"."scope_committed",
            "t4"."scope_delivered",
            "t4"."scope_added",
            "t4"."title",
            "t4"."source",
            "t4"."source_id",
            "t4"."row_hash",
            "t4"."origin",
            "t4"."imported_at",
            "t4"."_bucket",
            "t2"."pid",
            "t2"."p_start",
            "t2"."p_end",
            "t2"."p_start_date",
            "t2"."p_end_date",
            "t2"."p_days"
          FROM (
            SELECT
              "t0"."id",
              "t0"."kind",
              "t0"."due_on",
              "t0"."committed_on",
              "t0"."delivered_on",
              "t0"."team",
              "t0"."project",
              "t0"."scope_committed",
              "t0"."scope_delivered",
              "t0"."scope_added",
              "t0"."title",
              "t0"."source",
              "t0"."source_id",
              "t0"."row_hash",
              "t0"."origin",
              "t0"."imported_at",
              DATE_TRUNC('QUARTER', "t0"."due_on") AS "_bucket"
            FROM "commitment" AS "t0"
            WHERE
              "t0"."due_on" >= MAKE_DATE(2023, 10, 1) AND "t0"."due_on" < MAKE_DATE(2024, 4, 1)
          ) AS "t4"
          INNER JOIN "memtable_1" AS "t2"
            ON "t4"."_bucket" = "t2"."p_start_date"
        ) AS "t5"
      ) AS "t6"
      WHERE
        (
          (
            "t6"."committed_on" IS NULL
          )
          OR (
            "t6"."committed_on" < "t6"."p_end_date"
          )
        )
        AND "t6"."kind" <> 'sprint'
        AND "t6"."committed_on" IS NOT NULL
        AND "t6"."due_on" > "t6"."committed_on"
        AND GREATEST(
          DATE_DIFF(
            'DAY',
            "t6"."due_on",
            CASE
              WHEN (
                "t6"."delivered_on" IS NULL
              )
              OR (
                "t6"."delivered_on" >= "t6"."p_end_date"
              )
              THEN "t6"."p_end_date"
              ELSE "t6"."delivered_on"
            END
          ),
          0
        ) > 0
    ) AS "t7"
  ) AS "t10"
  WHERE
    "t10"."nth" < 3
) AS "t15";
