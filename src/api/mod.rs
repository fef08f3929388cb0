//! EkycVerify requests and responses (feature `api`). Work in progress.
