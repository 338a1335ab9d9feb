"""The member's wallet: payment methods saved at the processor, shown masked."""
