export { MODEL_FORMAT, MODEL_VERSION, toModelDocument, fromModelDocument, validateModelDocument, parseModelDocument, shortestFloat32 } from './model.js';
export type {
  ModelDocument, ModelDocumentExtras, FromModelDocumentOptions, LayerDocument, DenseLayerDocument, ActivationLayerDocument, DropoutLayerDocument, ActivationDocument,
} from './model.js';
export { DocumentError } from './fields.js';
export type { JsonValue, JsonObject } from './fields.js';
