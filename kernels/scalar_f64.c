/* The double instance of the scalar reference kernels. */
#define T double
#define SFX f64
#define EXP exp
#define LOG1P log1p
#define TANH tanh
#define FABS fabs
#define SQRT sqrt
#include "scalar_tmpl.c"
