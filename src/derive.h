/* derive.h — the writers of a derivation.  Each computes what the
 * derivative is at the Deriver's stage and hands it to an Emitter (emit.h),
 * which decides how it looks:
 *
 *   sum.c        the expanded sum, one term a path, streamed
 *   factored.c   the backprop equations, linear in the graph
 *   collapse.c   the terms of a network in families, as sums over indices
 *
 * and the forward path sum of a variable (sum.c).  Each returns 0, or -1
 * after reporting an error (a forward sum too large, too many families).
 * Nothing is written before the error is known, except by the writer's own
 * streaming of a sum whose every factor the marking has already made.
 */
#ifndef PG_DERIVE_H
#define PG_DERIVE_H

#include "emit.h"
#include "stage.h"

/* d(OF)/d(REF) as a sum over paths, one term a path in path order */
int derive_write(Deriver *d, int of, int wrt, Emitter *em);

/* one equation a variable on the paths, delta_v = sum over its parents p
 * of delta_p * d(p)/d(v), ending in d(OF)/d(REF); never refused */
int factored_write(Deriver *d, int of, int wrt, Emitter *em);

/* the terms of a network grouped into families that differ only in neuron
 * indices, each written as sums over those indices; more than LIMIT
 * families (0: no bound) is refused.  Scalar graphs are written as
 * derive_write writes them. */
int collapse_write(Deriver *d, int of, int wrt, unsigned long long limit, Emitter *em);

/* an unrolled graph's terms grouped into sums over time (collapse_graph.c):
 * dh_5/dw = Σ_t (Π_{k=t+1}^5 dh_k/dh_{k-1}) dh_t/dw; written as
 * derive_write writes them where no term groups */
int collapse_graph_write(Deriver *d, int of, int wrt, unsigned long long limit, Emitter *em);

/* the forward path sum of NODE ("y^{1}_{n-1} = ...") */
int expand_write(Deriver *d, int node, Emitter *em);

#endif
