# Reference values for the lag-sequential paper statistics on O'Connor's
# (1999) Appendix B table, computed independently of our code with base R.
# Run: Rscript scripts/r/lag_reference.R  (R 4.2.2, Debian r-base-core).
# The printed values are copied into crates/analytics/tests/oconnor.rs.
f <- matrix(c(0,4,0,6,6,7, 3,28,5,14,63,10, 1,4,12,2,9,20, 5,19,2,6,5,0, 8,57,8,9,27,3, 6,10,21,0,2,10), 6, 6, byrow=TRUE)
t <- suppressWarnings(chisq.test(f, correct=FALSE))
cat(sprintf("X2 %.10f df %d p %.10e\n", t$statistic, t$parameter, t$p.value))
# 2x2 collapse of cell (2,5): a=63
a <- f[2,5]; b <- sum(f[2,])-a; c <- sum(f[,5])-a; d <- sum(f)-a-b-c
lor <- log(a*d/(b*c)); se <- sqrt(1/a+1/b+1/c+1/d)
cat(sprintf("lor25 %.10f se %.10f lo %.10f hi %.10f\n", lor, se, lor-qnorm(.975)*se, lor+qnorm(.975)*se))
# glm check of the log odds: logistic regression on the 2x2
m <- glm(cbind(c(a,c), c(b,d)) ~ factor(c(1,0)), family=binomial)
cat(sprintf("glm %.10f %.10f\n", coef(m)[2], sqrt(vcov(m)[2,2])))
p <- 2*pnorm(-abs(t$stdres))
cat("holm first row:", sprintf("%.10f", p.adjust(as.vector(t(p)), "holm")[1:6]), "\n")
cat("R", R.version.string, "\n")
