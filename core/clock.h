/* Wall-clock seconds from a monotonic clock, for timings and ETAs. */
#ifndef SAE_CLOCK_H
#define SAE_CLOCK_H

double sae_now(void);

#endif
