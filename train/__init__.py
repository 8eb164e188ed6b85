"""Training code for the sr_model networks (pixel-loss pretraining and GAN fine-tuning)."""
