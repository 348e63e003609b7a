-- query 1
SELECT
  "t5"."campaign",
  MAX("t5"."submitted_at") AS "closed",
  COUNT(*) AS "respondents"
FROM (
  SELECT
    "t4"."campaign",
    "t4"."source",
    "t4"."source_id" AS "response_id",
    COALESCE(NULLIF(TRIM("t4"."group", ' 	
'), ''), '(no group)') AS "group",
    "t4"."stakeholder",
    "t4"."submitted_at"
  FROM (
    SELECT
      "t3".*
      EXCLUDE ("_rank")
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t1"."id",
          "t1"."campaign",
          "t1"."kind",
          "t1"."group",
          "t1"."stakeholder",
          "t1"."submitted_at",
          "t1"."source",
          "t1"."source_id",
          "t1"."row_hash",
          "t1"."origin",
          "t1"."imported_at",
          ROW_NUMBER() OVER (
            PARTITION BY "t1"."campaign", "t1"."id"
            ORDER BY "t1"."imported_at" DESC, "t1"."source" DESC, "t1"."source_id" DESC
            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
          ) - 1 AS "_rank"
        FROM (
          SELECT
            *
          FROM "survey_response" AS "t0"
          WHERE
            "t0"."kind" = 'stakeholder'
        ) AS "t1"
      ) AS "t2"
      WHERE
        "t2"."_rank" = 0
    ) AS "t3"
  ) AS "t4"
) AS "t5"
GROUP BY
  1;

-- query 2
SELECT
  "t10"."group",
  "t10"."campaign",
  COUNT(DISTINCT "t10"."response_id") AS "_respondents",
  SUM("t10"."value_num") AS "sum",
  COUNT("t10"."value_num") AS "count"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t8"."campaign",
      "t8"."source",
      "t8"."response_id",
      "t8"."group",
      "t2"."item",
      "t2"."value_num",
      "t2"."value_text"
    FROM "survey_answer" AS "t2"
    INNER JOIN (
      SELECT
        "t6"."campaign",
        "t6"."source",
        "t6"."source_id" AS "response_id",
        COALESCE(NULLIF(TRIM("t6"."group", ' 	
'), ''), '(no group)') AS "group",
        "t6"."stakeholder",
        "t6"."submitted_at"
      FROM (
        SELECT
          "t5".*
          EXCLUDE ("_rank")
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t3"."id",
              "t3"."campaign",
              "t3"."kind",
              "t3"."group",
              "t3"."stakeholder",
              "t3"."submitted_at",
              "t3"."source",
              "t3"."source_id",
              "t3"."row_hash",
              "t3"."origin",
              "t3"."imported_at",
              ROW_NUMBER() OVER (
                PARTITION BY "t3"."campaign", "t3"."id"
                ORDER BY "t3"."imported_at" DESC, "t3"."source" DESC, "t3"."source_id" DESC
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
              ) - 1 AS "_rank"
            FROM (
              SELECT
                *
              FROM "survey_response" AS "t1"
              WHERE
                "t1"."kind" = 'stakeholder'
            ) AS "t3"
          ) AS "t4"
          WHERE
            "t4"."_rank" = 0
        ) AS "t5"
      ) AS "t6"
      WHERE
        "t6"."campaign" = '2024-Q1'
    ) AS "t8"
      ON "t2"."source" = "t8"."source" AND "t2"."response_id" = "t8"."response_id"
  ) AS "t9"
  WHERE
    FALSE
    OR (
      "t9"."item" IN ('overall_satisfaction') AND "t9"."value_num" BETWEEN 1 AND 10
    )
) AS "t10"
GROUP BY
  1,
  2;
