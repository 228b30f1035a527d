/** A supertest parser that keeps a binary response body (a spreadsheet, a PDF) as a Buffer. */
export function binaryBody(res: { on(event: string, listener: (chunk: Buffer) => void): void }, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}
