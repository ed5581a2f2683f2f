// Generates TypeScript types from an OpenAPI document with openapi-typescript, as a client
// team would: `node generate.mjs <openapi.json> <out.d.ts>`. Binary bodies (uploads and
// downloads, `format: binary`) become `Blob`, as openapi-typescript's documentation shows.
import { readFile, writeFile } from "node:fs/promises";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";

const [source, target] = process.argv.slice(2);
const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier("Blob"));
const NULL = ts.factory.createLiteralTypeNode(ts.factory.createNull());

const document = JSON.parse(await readFile(source, "utf8"));
const ast = await openapiTS(document, {
  transform(schemaObject) {
    if (schemaObject.format === "binary") {
      return schemaObject.nullable ? ts.factory.createUnionTypeNode([BLOB, NULL]) : BLOB;
    }
    return undefined;
  },
});
await writeFile(target, astToString(ast));
