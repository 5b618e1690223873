// The wait graph view: style (style.ts), placement (layout.ts, with ELK in
// elk.ts), elements (elements.ts) and the interactive view (interaction.ts):
// live updates, selection, highlight, search, fit.
export { edgeId, groupId } from './elements';
export { GraphView, type GraphCallbacks, type RenderStats } from './interaction';
export { EDGE_STYLE, NODE_STYLE } from './style';
