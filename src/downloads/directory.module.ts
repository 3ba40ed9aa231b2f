import { Module } from '@nestjs/common';
import { InMemoryEndpointDirectory, InMemoryNodeDirectory } from './in-memory-directories';
import { ENDPOINT_DIRECTORY, NODE_DIRECTORY } from './ports';

/**
 * Binds NODE_DIRECTORY and ENDPOINT_DIRECTORY. TEMPORARY: the in-memory implementations stand
 * in until the nodes and endpoints modules provide the real services (swap the `useExisting`).
 */
@Module({
  providers: [
    InMemoryNodeDirectory,
    InMemoryEndpointDirectory,
    { provide: NODE_DIRECTORY, useExisting: InMemoryNodeDirectory },
    { provide: ENDPOINT_DIRECTORY, useExisting: InMemoryEndpointDirectory },
  ],
  exports: [NODE_DIRECTORY, ENDPOINT_DIRECTORY],
})
export class DirectoryModule {}
