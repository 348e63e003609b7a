-- query 1
WITH "t7" AS (
  SELECT
    "t6"."kind",
    "t6"."scope_committed",
    "t6"."scope_added",
    "t6"."pid",
    CASE
      WHEN (
        "t6"."delivered_on" IS NOT NULL
      )
      AND (
        "t6"."delivered_on" >= "t6"."p_end_date"
      )
      THEN 0.0
      ELSE CASE
        WHEN COALESCE("t6"."scope_committed" > 0, FALSE)
        THEN LEAST(
          CAST(COALESCE("t6"."scope_delivered", 0.0) AS DOUBLE PRECISION) / NULLIF("t6"."scope_committed", 0),
          1.0
        )
        ELSE CASE
          WHEN (
            "t6"."delivered_on" IS NOT NULL
          )
          AND (
            "t6"."delivered_on" < "t6"."p_end_date"
          )
          THEN 1.0
          ELSE 0.0
        END
      END * (
        CAST(CASE
          WHEN (
            "t6"."committed_on" IS NOT NULL
          )
          AND (
            "t6"."due_on" > "t6"."committed_on"
          )
          THEN CAST(EXTRACT(epoch FROM CAST("t6"."due_on" AS TIMESTAMP) - CAST("t6"."committed_on" AS TIMESTAMP)) / 86400 AS BIGINT)
          ELSE 30
        END AS DOUBLE PRECISION) / (
          CAST(CASE
            WHEN (
              "t6"."committed_on" IS NOT NULL
            )
            AND (
              "t6"."due_on" > "t6"."committed_on"
            )
            THEN CAST(EXTRACT(epoch FROM CAST("t6"."due_on" AS TIMESTAMP) - CAST("t6"."committed_on" AS TIMESTAMP)) / 86400 AS BIGINT)
            ELSE 30
          END AS DOUBLE PRECISION) + CAST(CASE
            WHEN (
              "t6"."delivered_on" IS NOT NULL
            )
            AND (
              "t6"."delivered_on" < "t6"."p_end_date"
            )
            THEN GREATEST(
              CAST(EXTRACT(epoch FROM CAST("t6"."delivered_on" AS TIMESTAMP) - CAST("t6"."due_on" AS TIMESTAMP)) / 86400 AS BIGINT),
              0
            )
            ELSE 0
          END AS DOUBLE PRECISION)
        )
      )
    END AS "score",
    CAST(CAST((
      "t6"."delivered_on" IS NOT NULL
    )
    AND (
      "t6"."delivered_on" < "t6"."p_end_date"
    )
    AND (
      "t6"."delivered_on" <= "t6"."due_on"
    ) AS INT) AS DOUBLE PRECISION) AS "on_time",
    COALESCE(NULLIF(TRIM(' 	
' FROM "t6"."team"), ''), '(no team)') AS "team_name",
    NOT (
      "t6"."kind" = 'sprint'
    ) OR COALESCE("t6"."scope_committed" > 0, FALSE) AS "scoreable",
    CASE
      WHEN NULLIF(TRIM(' 	
' FROM "t6"."project"), '') IS NOT NULL
      THEN "t6"."project"
      ELSE CAST(NULL AS VARCHAR)
    END AS "project_key"
  FROM (
    SELECT
      "t5"."id",
      "t5"."kind",
      "t5"."due_on",
      "t5"."committed_on",
      "t5"."delivered_on",
      "t5"."team",
      "t5"."project",
      "t5"."scope_committed",
      "t5"."scope_delivered",
      "t5"."scope_added",
      "t5"."title",
      "t5"."source",
      "t5"."source_id",
      "t5"."row_hash",
      "t5"."origin",
      "t5"."imported_at",
      "t5"."pid",
      "t5"."p_start",
      "t5"."p_end",
      "t5"."p_start_date",
      "t5"."p_end_date",
      "t5"."p_days"
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
      "t6"."committed_on" IS NULL
    )
    OR (
      "t6"."committed_on" < "t6"."p_end_date"
    )
)
SELECT
  *
FROM (
  SELECT
    *
  FROM (
    SELECT
      *
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t12"."pid",
          'all' AS "grain",
          CAST(NULL AS VARCHAR) AS "kind",
          CAST(NULL AS VARCHAR) AS "project_key",
          CAST(NULL AS VARCHAR) AS "team_name",
          "t12"."n",
          "t12"."value",
          "t12"."left_out",
          "t12"."dated_n",
          "t12"."dated_value",
          "t12"."committed",
          "t12"."added",
          "t12"."with_added"
        FROM (
          SELECT
            "t8"."pid",
            COUNT(*) FILTER(WHERE
              "t8"."scoreable") AS "n",
            AVG("t8"."score") FILTER(WHERE
              "t8"."scoreable") AS "value",
            COUNT(*) FILTER(WHERE
              NOT (
                "t8"."scoreable"
              )) AS "left_out",
            COUNT(*) FILTER(WHERE
              "t8"."scoreable" AND (
                "t8"."kind" <> 'sprint'
              )) AS "dated_n",
            AVG("t8"."on_time") FILTER(WHERE
              "t8"."scoreable" AND (
                "t8"."kind" <> 'sprint'
              )) AS "dated_value",
            SUM("t8"."scope_committed") FILTER(WHERE
              "t8"."scoreable" AND (
                "t8"."kind" = 'sprint'
              )) AS "committed",
            SUM("t8"."scope_added") FILTER(WHERE
              "t8"."scoreable" AND (
                "t8"."kind" = 'sprint'
              )) AS "added",
            COUNT("t8"."scope_added") FILTER(WHERE
              "t8"."scoreable" AND (
                "t8"."kind" = 'sprint'
              )) AS "with_added"
          FROM "t7" AS "t8"
          GROUP BY
            1
        ) AS "t12"
      ) AS "t17"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          "t13"."pid",
          'kind' AS "grain",
          "t13"."kind",
          CAST(NULL AS VARCHAR) AS "project_key",
          CAST(NULL AS VARCHAR) AS "team_name",
          "t13"."n",
          "t13"."value",
          "t13"."left_out",
          "t13"."dated_n",
          "t13"."dated_value",
          "t13"."committed",
          "t13"."added",
          "t13"."with_added"
        FROM (
          SELECT
            "t8"."pid",
            "t8"."kind",
            COUNT(*) FILTER(WHERE
              "t8"."scoreable") AS "n",
            AVG("t8"."score") FILTER(WHERE
              "t8"."scoreable") AS "value",
            COUNT(*) FILTER(WHERE
              NOT (
                "t8"."scoreable"
              )) AS "left_out",
            COUNT(*) FILTER(WHERE
              "t8"."scoreable" AND (
                "t8"."kind" <> 'sprint'
              )) AS "dated_n",
            AVG("t8"."on_time") FILTER(WHERE
              "t8"."scoreable" AND (
                "t8"."kind" <> 'sprint'
              )) AS "dated_value",
            SUM("t8"."scope_committed") FILTER(WHERE
              "t8"."scoreable" AND (
                "t8"."kind" = 'sprint'
              )) AS "committed",
            SUM("t8"."scope_added") FILTER(WHERE
              "t8"."scoreable" AND (
                "t8"."kind" = 'sprint'
              )) AS "added",
            COUNT("t8"."scope_added") FILTER(WHERE
              "t8"."scoreable" AND (
                "t8"."kind" = 'sprint'
              )) AS "with_added"
          FROM "t7" AS "t8"
          GROUP BY
            1,
            2
        ) AS "t13"
      ) AS "t18"
    ) AS "t19"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t11"."pid",
        'team' AS "grain",
        CAST(NULL AS VARCHAR) AS "kind",
        CAST(NULL AS VARCHAR) AS "project_key",
        "t11"."team_name",
        "t11"."n",
        "t11"."value",
        "t11"."left_out",
        "t11"."dated_n",
        "t11"."dated_value",
        "t11"."committed",
        "t11"."added",
        "t11"."with_added"
      FROM (
        SELECT
          "t8"."pid",
          "t8"."team_name",
          COUNT(*) FILTER(WHERE
            "t8"."scoreable") AS "n",
          AVG("t8"."score") FILTER(WHERE
            "t8"."scoreable") AS "value",
          COUNT(*) FILTER(WHERE
            NOT (
              "t8"."scoreable"
            )) AS "left_out",
          COUNT(*) FILTER(WHERE
            "t8"."scoreable" AND (
              "t8"."kind" <> 'sprint'
            )) AS "dated_n",
          AVG("t8"."on_time") FILTER(WHERE
            "t8"."scoreable" AND (
              "t8"."kind" <> 'sprint'
            )) AS "dated_value",
          SUM("t8"."scope_committed") FILTER(WHERE
            "t8"."scoreable" AND (
              "t8"."kind" = 'sprint'
            )) AS "committed",
          SUM("t8"."scope_added") FILTER(WHERE
            "t8"."scoreable" AND (
              "t8"."kind" = 'sprint'
            )) AS "added",
          COUNT("t8"."scope_added") FILTER(WHERE
            "t8"."scoreable" AND (
              "t8"."kind" = 'sprint'
            )) AS "with_added"
        FROM "t7" AS "t8"
        GROUP BY
          1,
          2
      ) AS "t11"
    ) AS "t16"
  ) AS "t20"
  UNION ALL
  SELECT
    *
  FROM (
    SELECT
      "t10"."pid",
      'team_kind' AS "grain",
      "t10"."kind",
      CAST(NULL AS VARCHAR) AS "project_key",
      "t10"."team_name",
      "t10"."n",
      "t10"."value",
      "t10"."left_out",
      "t10"."dated_n",
      "t10"."dated_value",
      "t10"."committed",
      "t10"."added",
      "t10"."with_added"
    FROM (
      SELECT
        "t8"."pid",
        "t8"."team_name",
        "t8"."kind",
        COUNT(*) FILTER(WHERE
          "t8"."scoreable") AS "n",
        AVG("t8"."score") FILTER(WHERE
          "t8"."scoreable") AS "value",
        COUNT(*) FILTER(WHERE
          NOT (
            "t8"."scoreable"
          )) AS "left_out",
        COUNT(*) FILTER(WHERE
          "t8"."scoreable" AND (
            "t8"."kind" <> 'sprint'
          )) AS "dated_n",
        AVG("t8"."on_time") FILTER(WHERE
          "t8"."scoreable" AND (
            "t8"."kind" <> 'sprint'
          )) AS "dated_value",
        SUM("t8"."scope_committed") FILTER(WHERE
          "t8"."scoreable" AND (
            "t8"."kind" = 'sprint'
          )) AS "committed",
        SUM("t8"."scope_added") FILTER(WHERE
          "t8"."scoreable" AND (
            "t8"."kind" = 'sprint'
          )) AS "added",
        COUNT("t8"."scope_added") FILTER(WHERE
          "t8"."scoreable" AND (
            "t8"."kind" = 'sprint'
          )) AS "with_added"
      FROM "t7" AS "t8"
      GROUP BY
        1,
        2,
        3
    ) AS "t10"
  ) AS "t15"
) AS "t21"
UNION ALL
SELECT
  *
FROM (
  SELECT
    "t9"."pid",
    'project' AS "grain",
    CAST(NULL AS VARCHAR) AS "kind",
    "t9"."project_key",
    CAST(NULL AS VARCHAR) AS "team_name",
    "t9"."n",
    "t9"."value",
    "t9"."left_out",
    "t9"."dated_n",
    "t9"."dated_value",
    "t9"."committed",
    "t9"."added",
    "t9"."with_added"
  FROM (
    SELECT
      "t8"."pid",
      "t8"."project_key",
      COUNT(*) FILTER(WHERE
        "t8"."scoreable") AS "n",
      AVG("t8"."score") FILTER(WHERE
        "t8"."scoreable") AS "value",
      COUNT(*) FILTER(WHERE
        NOT (
          "t8"."scoreable"
        )) AS "left_out",
      COUNT(*) FILTER(WHERE
        "t8"."scoreable" AND (
          "t8"."kind" <> 'sprint'
        )) AS "dated_n",
      AVG("t8"."on_time") FILTER(WHERE
        "t8"."scoreable" AND (
          "t8"."kind" <> 'sprint'
        )) AS "dated_value",
      SUM("t8"."scope_committed") FILTER(WHERE
        "t8"."scoreable" AND (
          "t8"."kind" = 'sprint'
        )) AS "committed",
      SUM("t8"."scope_added") FILTER(WHERE
        "t8"."scoreable" AND (
          "t8"."kind" = 'sprint'
        )) AS "added",
      COUNT("t8"."scope_added") FILTER(WHERE
        "t8"."scoreable" AND (
          "t8"."kind" = 'sprint'
        )) AS "with_added"
    FROM "t7" AS "t8"
    GROUP BY
      1,
      2
  ) AS "t9"
) AS "t14";
