-- query 1
SELECT
  "t5"."pid",
  "t9"."id",
  "t9"."name",
  "t9"."business_unit",
  "t15"."last"
FROM (
  SELECT
    "t0"."id",
    "t0"."name",
    NULLIF(TRIM("t0"."business_unit", ' 	
'), '') AS "business_unit"
  FROM "stakeholder" AS "t0"
  WHERE
    COALESCE("t0"."key", FALSE)
) AS "t9"
CROSS JOIN (
  SELECT
    "t1"."pid"
  FROM "memtable_1" AS "t1"
) AS "t5"
LEFT OUTER JOIN (
  SELECT
    "t13"."pid",
    "t13"."sid",
    MAX("t13"."last") AS "last"
  FROM (
    SELECT
      "t12"."pid",
      "t9"."id" AS "sid",
      "t12"."last"
    FROM (
      SELECT
        "t0"."id",
        "t0"."name",
        NULLIF(TRIM("t0"."business_unit", ' 	
'), '') AS "business_unit"
      FROM "stakeholder" AS "t0"
      WHERE
        COALESCE("t0"."key", FALSE)
    ) AS "t9"
    INNER JOIN (
      SELECT
        "t10"."pid",
        "t10"."stakeholder",
        MAX("t10"."date") AS "last"
      FROM (
        SELECT
          "t8"."id",
          "t8"."date",
          "t8"."stakeholder",
          "t8"."business_unit",
          "t8"."kind",
          "t8"."initiated_by",
          "t8"."source",
          "t8"."source_id",
          "t8"."row_hash",
          "t8"."origin",
          "t8"."imported_at",
          "t3"."pid",
          "t3"."p_start",
          "t3"."p_end",
          "t3"."p_start_date",
          "t3"."p_end_date",
          "t3"."p_days"
        FROM (
          SELECT
            *
          FROM "engagement" AS "t2"
          WHERE
            "t2"."kind" IN ('planning', 'review', 'steering')
        ) AS "t8"
        INNER JOIN "memtable_1" AS "t3"
          ON "t8"."date" < "t3"."p_end"
      ) AS "t10"
      GROUP BY
        1,
        2
    ) AS "t12"
      ON (
        "t9"."id" = "t12"."stakeholder"
      )
      OR (
        LOWER("t9"."name") = LOWER("t12"."stakeholder")
      )
  ) AS "t13"
  GROUP BY
    1,
    2
) AS "t15"
  ON "t5"."pid" = "t15"."pid" AND "t9"."id" = "t15"."sid";
