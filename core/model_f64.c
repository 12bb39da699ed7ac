/* The double instance of the objective. */
#define T double
#define TNAME F64
#define TSFX f64
#include "model_tmpl.c"
