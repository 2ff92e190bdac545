//! The operations on a [`Repo`](crate::Repo), one module per kind.

pub(crate) mod apply;
pub(crate) mod checkout;
pub(crate) mod commit;
pub(crate) mod conflict;
pub(crate) mod merge;
pub(crate) mod naming;
pub(crate) mod remote;
