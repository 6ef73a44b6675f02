"""The only code that opens transactions and checks rights."""
