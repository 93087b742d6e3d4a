# Builds the incomplete APIM test data sets from the Acitelli file by fixed
# rules, so anyone can rebuild them and see exactly what is missing.
#
#   Rscript scripts/r/apim_incomplete_data.R
#
# Input:  crates/analytics/tests/data/acitelli_individual.csv (148 couples,
#         one row per person, wife row first, gender -1 wife / 1 husband).
# Output: crates/analytics/tests/data/apim_incomplete.csv, the same columns,
#         by the couple's position i (0-based, order in the file):
#   i %% 10 == 1: the husband's row is deleted (a member absent; in pairwise
#                 data the wife's row then lacks her partner's X and drops);
#   i %% 10 == 3: the wife's satisfaction is blank (Y missing: the husband's
#                 row stays, so the couple enters as a one-row block);
#   i %% 10 == 5: the husband's satisfaction is blank (the same, other role);
#   i %% 10 == 7: the wife's other_pos is blank (X missing: both rows drop);
#   i %% 10 == 9: the husband's tension is blank (only fits with the tension
#                 covariate lose his row).
dir <- "crates/analytics/tests/data"
d <- read.csv(file.path(dir, "acitelli_individual.csv"), colClasses = "character")
ids <- unique(d$cuplid)
pos <- match(d$cuplid, ids) - 1
wife <- d$gender == "-1"
husband <- d$gender == "1"
d$satisfaction[pos %% 10 == 3 & wife] <- ""
d$satisfaction[pos %% 10 == 5 & husband] <- ""
d$other_pos[pos %% 10 == 7 & wife] <- ""
d$tension[pos %% 10 == 9 & husband] <- ""
d <- d[!(pos %% 10 == 1 & husband), ]
write.csv(d, file.path(dir, "apim_incomplete.csv"), row.names = FALSE, quote = FALSE)
