/* The float instance of the scalar reference kernels. */
#define T float
#define SFX f32
#define EXP expf
#define LOG1P log1pf
#define TANH tanhf
#define FABS fabsf
#define SQRT sqrtf
#include "scalar_tmpl.c"
