"""STM (Oh et al., ICCV 2019): space-time memory networks, built from SITVOS's shared blocks."""
