# Reference values for the APIM core (crates/analytics/src/apim), from R's
# nlme::gls on pairwise data, with Satterthwaite df from emmeans.
#
#   Rscript scripts/r/apim_reference.R
#
# Reads crates/analytics/tests/data/{acitelli_individual,apim_incomplete}.csv
# (individual format: cuplid, gender -1 wife / 1 husband, other_pos = X,
# satisfaction = Y, tension = covariate) and prints, for each data set, model
# (indistinguishable / distinguishable) and covariate choice, with 17
# significant digits:
#   - fixed effects in the core's order (per role: intercept, actor, partner,
#     covariate), their SEs and Satterthwaite df two ways: emmeans (mode =
#     "satterthwaite", whose numerical derivatives of nlme's apVar are good to
#     about 1%: it prints 144.70 where SAS and the exact formula give 145 on
#     the complete data) and "dense", computed below from the REML
#     likelihood written out with the full N×N covariance matrix and
#     differentiated by numDeriv's Richardson extrapolation at nlme's
#     estimates (an independent route to the same definition as the core:
#     observed REML information, derivative of the contrast's variance),
#     after polishing nlme's variance estimates by Newton steps on that
#     likelihood (nlme stops with a gradient up to ~1e-3, which moves rho
#     in the 7th digit); the polished sigma, rho and varIdent ratio; and the
#     dense df of the contrasts the core tests;
#   - logLik (REML), AIC, BIC, N, sigma, rho and the varIdent ratio;
#   - the ML logLik (for the distinguishability test) and the REML logLik
#     with the dyad correlation removed (the nonindependence test).
# The values in crates/analytics/tests/apim_incomplete.rs were copied from
# this output (R 4.2.2, nlme 3.1-162, emmeans 1.8.4-1, numDeriv 2016.8-1.1).
suppressMessages({
  library(nlme)
  library(emmeans)
  library(numDeriv)
})
options(digits = 17)
cat("#", R.version.string, "nlme", format(packageVersion("nlme")),
    "emmeans", format(packageVersion("emmeans")), "\n")

dir <- "crates/analytics/tests/data"

# Pairwise (double-entry) data: each person's row carries the partner's X.
# A missing partner, or a partner without X, leaves other_pos_P NA, so
# na.omit drops that row, as it would in any pairwise file.
pairwise <- function(file) {
  d <- read.csv(file.path(dir, file), na.strings = c("", "NA"))
  partner <- d[, c("cuplid", "gender", "other_pos")]
  names(partner) <- c("cuplid", "gender_P", "other_pos_P")
  partner$gender <- -partner$gender_P
  p <- merge(d, partner[, c("cuplid", "gender", "other_pos_P")],
             by = c("cuplid", "gender"), all.x = TRUE)
  p$role <- factor(p$gender, levels = c(-1, 1))
  p[order(p$cuplid, p$gender), ]
}

# Satterthwaite df of contrast l at nlme's estimate, from the textbook REML
# log-likelihood with V built row by row: theta = (v, c) with a dyad's
# block [[v + c, c], [c, v + c]] (indistinguishable) or (s1, s2, s12) by role
# (distinguishable), the parametrisation the core uses.
dense <- function(m, data, distinguishable) {
  X <- model.matrix(formula(m), data = data)
  y <- data$satisfaction
  N <- nrow(X); p <- ncol(X)
  sigma2 <- m$sigma^2
  rho <- coef(m$modelStruct$corStruct, unconstrained = FALSE)
  role2 <- data$role == "1"
  theta0 <- if (distinguishable) {
    delta <- coef(m$modelStruct$varStruct, unconstrained = FALSE)
    c(sigma2, sigma2 * delta^2, rho * sigma2 * delta)
  } else c(sigma2 * (1 - rho), sigma2 * rho)
  same <- outer(data$cuplid, data$cuplid, "==")
  Vof <- function(theta) {
    if (distinguishable) {
      V <- theta[3] * same
      diag(V) <- ifelse(role2, theta[2], theta[1])
    } else {
      V <- theta[2] * same
      diag(V) <- theta[1] + theta[2]
    }
    V
  }
  C <- function(theta) solve(crossprod(X, solve(Vof(theta), X)))
  loglik <- function(theta) {
    V <- Vof(theta); Vi <- solve(V)
    A <- crossprod(X, Vi %*% X)
    b <- solve(A, crossprod(X, Vi %*% y))
    r <- y - X %*% b
    -0.5 * ((N - p) * log(2 * pi) + determinant(V)$modulus +
              determinant(A)$modulus + drop(crossprod(r, Vi %*% r)))
  }
  gradient <- grad(loglik, theta0)
  # Newton steps on the dense likelihood (numerical derivatives) from nlme's
  # estimate, which its optimiser leaves with a gradient of up to ~1e-3.
  theta <- unname(theta0)
  for (step in 1:10) {
    g <- grad(loglik, theta)
    if (max(abs(g)) < 1e-6) break
    theta <- theta - solve(hessian(loglik, theta), g)
  }
  H <- hessian(loglik, theta)
  Acov <- solve(-H)
  C0 <- C(theta)
  polished <- if (distinguishable) {
    c(sigma = sqrt(theta[1]), rho = theta[3] / sqrt(theta[1] * theta[2]),
      ratio = sqrt(theta[2] / theta[1]))
  } else c(sigma = sqrt(theta[1] + theta[2]), rho = theta[2] / (theta[1] + theta[2]))
  list(
    gradient = gradient,
    polished = polished,
    polished_gradient = grad(loglik, theta),
    loglik = loglik(theta),
    df = function(l) {
      phi <- drop(t(l) %*% C0 %*% l)
      g <- grad(function(th) drop(t(l) %*% C(th) %*% l), theta)
      2 * phi^2 / drop(t(g) %*% Acov %*% g)
    })
}

show <- function(label, key, value) {
  cat(label, key, format(value, digits = 17), "\n")
}

fit <- function(label, data, distinguishable, covariate) {
  # na.omit beforehand (the same rows gls would keep), so that emmeans and
  # the dense computation see exactly the rows of the fit.
  vars <- c("satisfaction", "other_pos", "other_pos_P", if (covariate) "tension")
  data <- data[complete.cases(data[, vars]), ]
  cov <- if (covariate) " + tension" else ""
  if (distinguishable) {
    f <- as.formula(paste0("satisfaction ~ 0 + role + role:other_pos + role:other_pos_P",
                           if (covariate) " + role:tension" else ""))
    terms <- c("", ":other_pos", ":other_pos_P", if (covariate) ":tension")
    order <- c(paste0("role-1", terms), paste0("role1", terms))
    order[1] <- "role-1"; order[length(terms) + 1] <- "role1"
  } else {
    f <- as.formula(paste0("satisfaction ~ other_pos + other_pos_P", cov))
    order <- c("(Intercept)", "other_pos", "other_pos_P", if (covariate) "tension")
  }
  # The call is built with its values in place so that emmeans, which
  # re-evaluates it to recover the data, finds everything.
  m <- if (distinguishable) {
    eval(bquote(gls(.(f), data = .(data), correlation = corCompSymm(form = ~1 | cuplid),
                    weights = varIdent(form = ~1 | role), na.action = na.omit,
                    method = "REML")))
  } else {
    eval(bquote(gls(.(f), data = .(data), correlation = corCompSymm(form = ~1 | cuplid),
                    na.action = na.omit, method = "REML")))
  }
  b <- coef(m)
  idx <- match(order, names(b))
  stopifnot(!anyNA(idx))
  rg <- ref_grid(m, mode = "satterthwaite")
  df_of <- function(l) rg@dffun(l, rg@dfargs)
  unit <- function(i) { l <- rep(0, length(b)); l[i] <- 1; l }
  show(label, "n", m$dims$N)
  show(label, "estimate", b[idx])
  show(label, "se", sqrt(diag(vcov(m)))[idx])
  show(label, "df_emmeans", sapply(idx, function(i) df_of(unit(i))))
  dn <- dense(m, data, distinguishable)
  show(label, "dense_gradient_at_nlme_estimate", dn$gradient)
  show(label, "dense_gradient_polished", dn$polished_gradient)
  show(label, "dense_textbook_reml_loglik", dn$loglik)
  show(label, "sigma_polished", dn$polished[["sigma"]])
  show(label, "rho_polished", dn$polished[["rho"]])
  if (distinguishable) show(label, "varIdent_ratio_polished", dn$polished[["ratio"]])
  show(label, "df", sapply(idx, function(i) dn$df(unit(i))))
  k <- length(order) / (if (distinguishable) 2 else 1)
  blocks <- if (distinguishable) 2 else 1
  # actor - partner within each role
  ap <- sapply(seq_len(blocks), function(r) {
    o <- (r - 1) * k
    dn$df(unit(idx[o + 2]) - unit(idx[o + 3]))
  })
  show(label, "df_actor_minus_partner", ap)
  if (distinguishable) {
    show(label, "df_role_difference",
         sapply(seq_len(k), function(j) dn$df(unit(idx[j]) - unit(idx[k + j]))))
  }
  show(label, "logLik", as.numeric(logLik(m)))
  show(label, "AIC", AIC(m))
  show(label, "BIC", BIC(m))
  show(label, "sigma", m$sigma)
  show(label, "rho", coef(m$modelStruct$corStruct, unconstrained = FALSE))
  if (distinguishable) {
    show(label, "varIdent_ratio", coef(m$modelStruct$varStruct, unconstrained = FALSE))
  }
  ml <- update(m, method = "ML")
  show(label, "logLik_ML", as.numeric(logLik(ml)))
  null <- if (distinguishable) {
    gls(f, data = data, weights = varIdent(form = ~1 | role), na.action = na.omit)
  } else {
    gls(f, data = data, na.action = na.omit)
  }
  show(label, "logLik_uncorrelated", as.numeric(logLik(null)))
}

for (file in c("acitelli_individual.csv", "apim_incomplete.csv")) {
  data <- pairwise(file)
  for (dist in c(FALSE, TRUE)) {
    for (covariate in c(FALSE, TRUE)) {
      label <- paste(sub(".csv", "", file, fixed = TRUE),
                     if (dist) "distinguishable" else "indistinguishable",
                     if (covariate) "tension" else "none")
      fit(label, data, dist, covariate)
    }
  }
}
