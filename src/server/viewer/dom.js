// The one DOM helper the viewer's modules share. A plain browser ES module.

/** The page element with this id. */
export const $ = (id) => document.getElementById(id);
