/* The float instance of the objective. */
#define T float
#define TNAME F32
#define TSFX f32
#include "model_tmpl.c"
