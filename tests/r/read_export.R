# Read the CSV export (python -m rfi_umarov_2022 export --format csv DIR) with readr, column
# types taken from the exported datapackage.json; check each quote's offsets on the transcript.
# Usage: Rscript tests/r/read_export.R DIR
# Prints "TABLE ROWS" per table, "levels TABLE.COLUMN a|b|c" per categorical field, then
# "offsets ok: N spans" over every table whose schema declares a span; exits non-zero on any mismatch.
suppressPackageStartupMessages({
  library(jsonlite)
  library(readr)
})

args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 1) args[[1]] else "."
package <- fromJSON(file.path(dir, "datapackage.json"), simplifyVector = FALSE)

# One readr collector per Table Schema field; enums become factors with the schema's levels,
# in the schema's order (ordered where the schema says categoriesOrdered).
collector <- function(field) {
  levels <- unlist(field$categories)
  if (!is.null(levels)) {
    return(col_factor(levels = levels, ordered = isTRUE(field$categoriesOrdered)))
  }
  switch(field$type,
    integer = col_integer(),
    number = col_double(),
    boolean = col_logical(),
    date = col_date(format = "%Y-%m-%d"),
    col_character()
  )
}

read_table <- function(resource) {
  fields <- resource$schema$fields
  types <- setNames(lapply(fields, collector), vapply(fields, function(f) f$name, character(1)))
  read_csv(file.path(dir, resource$path), col_types = do.call(cols, types), na = "",
           locale = locale(encoding = "UTF-8"), progress = FALSE)
}

tables <- list()
for (resource in package$resources) {
  frame <- read_table(resource)
  problems <- problems(frame)
  if (nrow(problems) > 0) stop(sprintf("%s: %d parse problems", resource$name, nrow(problems)))
  tables[[resource$name]] <- frame
  cat(sprintf("%s %d\n", resource$name, nrow(frame)))
  for (column in names(frame)) {
    if (is.factor(frame[[column]])) {
      cat(sprintf("levels %s.%s %s\n", resource$name, column,
                  paste(levels(frame[[column]]), collapse = "|")))
    }
  }
}

# The transcript: R's substring counts characters (1-based, inclusive), so the 0-based, end-exclusive
# offsets [char_start, char_end) become substring(text, char_start + 1, char_end) (substring,
# unlike substr, slices every row of a column at once).
source_path <- file.path(dir, basename(package$sources[[1]]$path))
text <- readChar(source_path, file.info(source_path)$size, useBytes = TRUE)
Encoding(text) <- "UTF-8"
checked <- 0
# every table whose schema declares a span: its text column must be the transcript's slice
for (resource in package$resources) {
  span <- resource$schema$span
  frame <- tables[[resource$name]]
  if (is.null(span) || is.null(frame)) next
  got <- substring(text, frame$char_start + 1L, frame$char_end)
  bad <- which(got != frame[[span$text]])
  if (length(bad) > 0) stop(sprintf("%s row %d: offsets do not slice the transcript to its %s",
                                    resource$name, bad[[1]], span$text))
  checked <- checked + nrow(frame)
}
cat(sprintf("offsets ok: %d spans\n", checked))
if (!is.null(tables$claims)) {
  first <- tables$claims[1, ]
  cat(sprintf("first claim: %s [%d, %d) %s\n", first$claim_id, first$char_start, first$char_end,
              substring(text, first$char_start + 1L, first$char_end)))
}
