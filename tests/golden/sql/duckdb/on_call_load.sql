-- query 1
WITH "t21" AS (
  SELECT
    "t18"."id",
    "t18"."team",
    "t18"."started_on",
    "t18"."left_on",
    "t18"."leave_kind",
    "t18"."regretted",
    "t18"."on_call"
  FROM (
    SELECT
      "t15".*
      EXCLUDE ("_rank")
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t9"."id",
          "t9"."team",
          "t9"."role",
          "t9"."started_on",
          "t9"."left_on",
          "t9"."leave_kind",
          "t9"."regretted",
          "t9"."on_call",
          "t9"."source",
          "t9"."source_id",
          "t9"."row_hash",
          "t9"."origin",
          "t9"."imported_at",
          ROW_NUMBER() OVER (
            PARTITION BY "t9"."id"
            ORDER BY "t9"."imported_at" DESC, "t9"."source" DESC, "t9"."source_id" DESC
            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
          ) - 1 AS "_rank"
        FROM (
          SELECT
            *
          FROM "person" AS "t1"
          WHERE
            "t1"."source" <> 'auto'
        ) AS "t9"
      ) AS "t13"
      WHERE
        "t13"."_rank" = 0
    ) AS "t15"
  ) AS "t18"
  WHERE
    COALESCE("t18"."on_call", FALSE)
), "t29" AS (
  SELECT
    "t20"."id",
    "t20"."opened_at",
    "t20"."severity",
    "t20"."service",
    "t20"."acknowledged_at",
    "t20"."resolved_at",
    "t20"."impact_start",
    "t20"."impact_end",
    "t20"."is_maintenance",
    "t20"."caused_by_change",
    "t20"."problem",
    "t20"."resolver",
    "t20"."title",
    "t20"."source",
    "t20"."source_id",
    "t20"."row_hash",
    "t20"."origin",
    "t20"."imported_at",
    "t20"."day",
    "t20"."off_hours",
    "t20"."pid",
    "t20"."p_start",
    "t20"."p_end",
    "t20"."p_start_date",
    "t20"."p_end_date",
    "t20"."p_days",
    "t24"."oc_id"
  FROM (
    SELECT
      "t16".*
      EXCLUDE ("_bucket")
    FROM (
      SELECT
        "t12"."id",
        "t12"."opened_at",
        "t12"."severity",
        "t12"."service",
        "t12"."acknowledged_at",
        "t12"."resolved_at",
        "t12"."impact_start",
        "t12"."impact_end",
        "t12"."is_maintenance",
        "t12"."caused_by_change",
        "t12"."problem",
        "t12"."resolver",
        "t12"."title",
        "t12"."source",
        "t12"."source_id",
        "t12"."row_hash",
        "t12"."origin",
        "t12"."imported_at",
        "t12"."day",
        "t12"."off_hours",
        "t12"."_bucket",
        "t4"."pid",
        "t4"."p_start",
        "t4"."p_end",
        "t4"."p_start_date",
        "t4"."p_end_date",
        "t4"."p_days"
      FROM (
        SELECT
          "t2"."id",
          "t2"."opened_at",
          "t2"."severity",
          "t2"."service",
          "t2"."acknowledged_at",
          "t2"."resolved_at",
          "t2"."impact_start",
          "t2"."impact_end",
          "t2"."is_maintenance",
          "t2"."caused_by_change",
          "t2"."problem",
          "t2"."resolver",
          "t2"."title",
          "t2"."source",
          "t2"."source_id",
          "t2"."row_hash",
          "t2"."origin",
          "t2"."imported_at",
          CAST("t2"."opened_at" AS DATE) AS "day",
          (
            EXTRACT(hour FROM "t2"."opened_at") < 8
          )
          OR (
            EXTRACT(hour FROM "t2"."opened_at") >= 18
          )
          OR (
            (
              (
                DAYOFWEEK("t2"."opened_at") + 6
              ) % 7
            ) >= 5
          ) AS "off_hours",
          DATE_TRUNC('QUARTER', "t2"."opened_at") AS "_bucket"
        FROM "incident" AS "t2"
        WHERE
          "t2"."severity" IN ('P1', 'P2')
          AND "t2"."resolver" IS NOT NULL
          AND "t2"."opened_at" >= MAKE_TIMESTAMP(2023, 10, 1, 0, 0, 0.0)
          AND "t2"."opened_at" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
      ) AS "t12"
      INNER JOIN "memtable_1" AS "t4"
        ON "t12"."_bucket" = "t4"."p_start"
    ) AS "t16"
  ) AS "t20"
  LEFT OUTER JOIN (
    SELECT
      "t18"."id" AS "oc_id"
    FROM (
      SELECT
        "t15".*
        EXCLUDE ("_rank")
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t9"."id",
            "t9"."team",
            "t9"."role",
            "t9"."started_on",
            "t9"."left_on",
            "t9"."leave_kind",
            "t9"."regretted",
            "t9"."on_call",
            "t9"."source",
            "t9"."source_id",
            "t9"."row_hash",
            "t9"."origin",
            "t9"."imported_at",
            ROW_NUMBER() OVER (
              PARTITION BY "t9"."id"
              ORDER BY "t9"."imported_at" DESC, "t9"."source" DESC, "t9"."source_id" DESC
              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            ) - 1 AS "_rank"
          FROM (
            SELECT
              *
            FROM "person" AS "t1"
            WHERE
              "t1"."source" <> 'auto'
          ) AS "t9"
        ) AS "t13"
        WHERE
          "t13"."_rank" = 0
      ) AS "t15"
    ) AS "t18"
    WHERE
      COALESCE("t18"."on_call", FALSE)
  ) AS "t24"
    ON "t20"."resolver" = "t24"."oc_id"
), "t38" AS (
  SELECT
    "t36"."pid",
    "t36"."who",
    "t36"."k",
    "t36"."off"
  FROM (
    SELECT
      "t34"."pid",
      "t34"."who",
      "t34"."w",
      SUM("t34"."k") AS "k",
      SUM("t34"."off") AS "off"
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t28"."pid",
          "t28"."w",
          "t28"."id" AS "who",
          0 AS "k",
          0 AS "off"
        FROM (
          SELECT
            "t25"."id",
            "t25"."team",
            "t25"."started_on",
            "t25"."left_on",
            "t25"."leave_kind",
            "t25"."regretted",
            "t25"."on_call",
            "t17"."pid",
            "t17"."p_start",
            "t17"."p_end",
            "t17"."p_start_date",
            "t17"."p_end_date",
            "t17"."p_days",
            "t17"."w",
            "t17"."n_weeks",
            "t17"."first",
            "t17"."last"
          FROM "t21" AS "t25"
          CROSS JOIN (
            SELECT
              "t10"."pid",
              "t10"."p_start",
              "t10"."p_end",
              "t10"."p_start_date",
              "t10"."p_end_date",
              "t10"."p_days",
              "t10"."w",
              GREATEST(CAST(FLOOR((
                "t10"."p_days"
              ) / (
                7
              )) AS BIGINT), 1) AS "n_weeks",
              "t10"."w" * 7 AS "first",
              CASE
                WHEN "t10"."w" = (
                  GREATEST(CAST(FLOOR((
                    "t10"."p_days"
                  ) / (
                    7
                  )) AS BIGINT), 1) - 1
                )
                THEN "t10"."p_days" - 1
                ELSE (
                  "t10"."w" * 7
                ) + 6
              END AS "last"
            FROM (
              SELECT
                "t5"."pid",
                "t5"."p_start",
                "t5"."p_end",
                "t5"."p_start_date",
                "t5"."p_end_date",
                "t5"."p_days",
                "t6"."w"
              FROM "memtable_1" AS "t5"
              CROSS JOIN "memtable_2" AS "t6"
            ) AS "t10"
            WHERE
              "t10"."w" < GREATEST(CAST(FLOOR((
                "t10"."p_days"
              ) / (
                7
              )) AS BIGINT), 1)
          ) AS "t17"
        ) AS "t28"
        WHERE
          (
            (
              "t28"."started_on" IS NULL
            )
            OR (
              DATE_DIFF('DAY', "t28"."p_start_date", "t28"."started_on") <= "t28"."last"
            )
          )
          AND (
            (
              "t28"."left_on" IS NULL
            )
            OR (
              DATE_DIFF('DAY', "t28"."p_start_date", "t28"."left_on") >= "t28"."first"
            )
          )
      ) AS "t31"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          "t30"."pid",
          LEAST(
            CAST(FLOOR((
              DATE_DIFF('DAY', "t30"."p_start_date", "t30"."day")
            ) / (
              7
            )) AS BIGINT),
            GREATEST(CAST(FLOOR((
              "t30"."p_days"
            ) / (
              7
            )) AS BIGINT), 1) - 1
          ) AS "w",
          "t30"."resolver" AS "who",
          1 AS "k",
          CAST(CASE WHEN "t30"."off_hours" THEN 1 ELSE 0 END AS BIGINT) AS "off"
        FROM "t29" AS "t30"
        WHERE
          "t30"."oc_id" IS NOT NULL
      ) AS "t33"
    ) AS "t34"
    GROUP BY
      1,
      2,
      3
  ) AS "t36"
)
SELECT
  *
FROM (
  SELECT
    "t46"."pid",
    "t46"."grain",
    "t46"."who",
    "t46"."weeks",
    "t46"."pages",
    "t46"."off",
    "t46"."med",
    "t46"."med_off",
    CAST(NULL AS BIGINT) AS "on_call_people",
    CAST(NULL AS BIGINT) AS "others"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t41"."pid",
        'all' AS "grain",
        CAST(NULL AS TEXT) AS "who",
        "t41"."weeks",
        "t41"."pages",
        "t41"."off",
        "t41"."med",
        "t41"."med_off"
      FROM (
        SELECT
          "t39"."pid",
          COUNT(*) AS "weeks",
          SUM("t39"."k") AS "pages",
          SUM("t39"."off") AS "off",
          QUANTILE_CONT("t39"."k", 0.5) AS "med",
          QUANTILE_CONT("t39"."off", 0.5) AS "med_off"
        FROM "t38" AS "t39"
        GROUP BY
          1
      ) AS "t41"
    ) AS "t44"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t42"."pid",
        'person' AS "grain",
        "t42"."who",
        "t42"."weeks",
        "t42"."pages",
        "t42"."off",
        "t42"."med",
        "t42"."med_off"
      FROM (
        SELECT
          "t39"."pid",
          "t39"."who",
          COUNT(*) AS "weeks",
          SUM("t39"."k") AS "pages",
          SUM("t39"."off") AS "off",
          QUANTILE_CONT("t39"."k", 0.5) AS "med",
          QUANTILE_CONT("t39"."off", 0.5) AS "med_off"
        FROM "t38" AS "t39"
        GROUP BY
          1,
          2
      ) AS "t42"
    ) AS "t45"
  ) AS "t46"
) AS "t47"
UNION ALL
SELECT
  *
FROM (
  SELECT
    "t40"."pid",
    "t40"."grain",
    CAST(NULL AS TEXT) AS "who",
    CAST(NULL AS BIGINT) AS "weeks",
    CAST(NULL AS BIGINT) AS "pages",
    CAST(NULL AS BIGINT) AS "off",
    CAST(NULL AS DOUBLE) AS "med",
    CAST(NULL AS DOUBLE) AS "med_off",
    "t40"."on_call_people",
    "t40"."others"
  FROM (
    SELECT
      "t8"."pid",
      "t27"."on_call_people",
      "t37"."others",
      'extra' AS "grain"
    FROM (
      SELECT
        "t0"."pid"
      FROM "memtable_1" AS "t0"
    ) AS "t8"
    CROSS JOIN (
      SELECT
        COUNT(*) AS "on_call_people"
      FROM "t21" AS "t23"
    ) AS "t27"
    LEFT OUTER JOIN (
      SELECT
        "t32"."pid",
        COUNT(*) FILTER(WHERE
          NOT (
            "t32"."on_call"
          )) AS "others"
      FROM (
        SELECT
          "t30"."id",
          "t30"."opened_at",
          "t30"."severity",
          "t30"."service",
          "t30"."acknowledged_at",
          "t30"."resolved_at",
          "t30"."impact_start",
          "t30"."impact_end",
          "t30"."is_maintenance",
          "t30"."caused_by_change",
          "t30"."problem",
          "t30"."resolver",
          "t30"."title",
          "t30"."source",
          "t30"."source_id",
          "t30"."row_hash",
          "t30"."origin",
          "t30"."imported_at",
          "t30"."day",
          "t30"."off_hours",
          "t30"."pid",
          "t30"."p_start",
          "t30"."p_end",
          "t30"."p_start_date",
          "t30"."p_end_date",
          "t30"."p_days",
          "t30"."oc_id",
          "t30"."oc_id" IS NOT NULL AS "on_call",
          LEAST(
            CAST(FLOOR((
              DATE_DIFF('DAY', "t30"."p_start_date", "t30"."day")
            ) / (
              7
            )) AS BIGINT),
            GREATEST(CAST(FLOOR((
              "t30"."p_days"
            ) / (
              7
            )) AS BIGINT), 1) - 1
          ) AS "w"
        FROM "t29" AS "t30"
      ) AS "t32"
      GROUP BY
        1
    ) AS "t37"
      ON "t8"."pid" = "t37"."pid"
  ) AS "t40"
) AS "t43";
