"""STM (Oh et al., ICCV 2019): space-time memory networks, built from the memory-network kit's
blocks (:mod:`memnet`)."""
