/* Wall-clock seconds from a monotonic clock, for timings and ETAs. */
#ifndef SAE_CORE_CLOCK_H
#define SAE_CORE_CLOCK_H

#ifdef __cplusplus
extern "C" {
#endif

double sae_now(void);

#ifdef __cplusplus
}
#endif

#endif
