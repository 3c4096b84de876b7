"""Administration screens (系统管理): settings that shape everyone's work, admin only."""
