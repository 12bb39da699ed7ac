/*
 * The one template convention (the role of dav1d's bitdepth.h). Code that
 * exists once per element type or per kernel level is written once, in a
 * *_tmpl.c file, and compiled per instance: the instance defines
 *   SAE_TMPL_F64   0 for float, 1 for double (the element type),
 *   SAE_TMPL_ISA   (kernels) the level its functions are named after:
 *                  scalar_f32, scalar_f64, avx2, avx512, omp_avx2, ...
 *   SAE_TMPL_INNER (the OpenMP driver) the level whose kernels it splits,
 * includes this header, then the template. It gets
 *   T             float | double
 *   TNAME(Name)   NameF32 | NameF64           (SaeWorkF32, SaeKernelsF64)
 *   FN(name)      name_f32 | name_f64         (sae_objective_f32)
 *   KN(slot)      sae_<slot>_<SAE_TMPL_ISA>   (sae_exp_avx512)
 *   INNER(slot)   sae_<slot>_<SAE_TMPL_INNER> (sae_exp_avx512)
 *   EXP, LOG1P, TANH, FABS, SQRT   the libm functions of T
 *   SAE_CAT(a, b) a and b pasted after expansion
 * Each generated name is listed in a comment of the instance file that
 * makes it, so that grep finds it. The header may be included again with
 * other settings (core/train.c makes both element types in one file).
 */
#if !defined(SAE_TMPL_F64)
#error "define SAE_TMPL_F64 (0: float, 1: double) before including kernels/template.h"
#endif

#define SAE_CAT_(a, b) a##b
#define SAE_CAT(a, b) SAE_CAT_(a, b)

#undef T
#undef TSFX
#undef TNAME
#undef FN
#undef KN
#undef INNER
#undef EXP
#undef LOG1P
#undef TANH
#undef FABS
#undef SQRT

#if SAE_TMPL_F64
#define T double
#define TSFX F64
#define FN(name) name##_f64
#define EXP exp
#define LOG1P log1p
#define TANH tanh
#define FABS fabs
#define SQRT sqrt
#else
#define T float
#define TSFX F32
#define FN(name) name##_f32
#define EXP expf
#define LOG1P log1pf
#define TANH tanhf
#define FABS fabsf
#define SQRT sqrtf
#endif
#define TNAME(name) SAE_CAT(name, TSFX)

#ifdef SAE_TMPL_ISA
#define KN(slot) SAE_CAT(sae_##slot##_, SAE_TMPL_ISA)
#endif
#ifdef SAE_TMPL_INNER
#define INNER(slot) SAE_CAT(sae_##slot##_, SAE_TMPL_INNER)
#endif
