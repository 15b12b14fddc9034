/**
 * Reads the body of a REST response by its content type (R-REST-5): JSON parsed, XML mapped to
 * objects with fast-xml-parser so that extract keys start at the root element name, anything else
 * kept opaque. What the document then means is `lib/rest-response.ts`.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { mediaTypeOf, responseFormatOf, type ResponseDocument } from '../../lib/rest-response.js';

const xmlParser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: true,
  // Every leaf stays text, as in the document: `"0"` and `"007"` are not numbers to reinterpret.
  parseTagValue: false,
  trimValues: true,
});

/** Reads a body by its content type (R-REST-5). Never throws. */
export function readResponseDocument(contentType: string, body: string): ResponseDocument {
  const mediaType = mediaTypeOf(contentType);
  const format = responseFormatOf(mediaType);
  if (format === undefined) return { kind: 'other', mediaType: mediaType === '' ? 'no content type' : mediaType };
  if (body.trim() === '') return { kind: 'empty' };
  if (format === 'JSON') {
    try {
      return { kind: 'json', value: JSON.parse(body) as unknown };
    } catch {
      return { kind: 'invalid', format };
    }
  }
  if (XMLValidator.validate(body) !== true) return { kind: 'invalid', format };
  try {
    return { kind: 'xml', value: xmlParser.parse(body) as unknown };
  } catch {
    return { kind: 'invalid', format };
  }
}
