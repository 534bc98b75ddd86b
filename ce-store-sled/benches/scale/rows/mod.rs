//! The rows of the table, one file each (row 1b with row 1).

mod append;
mod import;
mod list;
mod open;
mod rebuild;
mod refer;

pub(crate) use append::{row1_append, row1b_write_shapes};
pub(crate) use import::row2_import;
pub(crate) use list::row4_list;
pub(crate) use open::row6_open;
pub(crate) use rebuild::row3_rebuild;
pub(crate) use refer::row5_refer;
