import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UserEntity } from './user.entity';

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly repo: Repository<UserEntity>) {}

  findAll(): Promise<UserEntity[]> {
    return this.repo.find({ order: { createdAt: 'ASC' } });
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.repo.findOne({ where: { username } });
  }

  count(): Promise<number> {
    return this.repo.count();
  }

  countAdmins(): Promise<number> {
    return this.repo.count({ where: { role: 'admin' } });
  }

  save(user: Partial<UserEntity>): Promise<UserEntity> {
    return this.repo.save(this.repo.create(user));
  }

  async updateHash(id: string, passwordHash: string): Promise<void> {
    await this.repo.update({ id }, { passwordHash });
  }

  async delete(id: string): Promise<void> {
    await this.repo.delete({ id });
  }

  /**
   * Runs `fn` in a transaction; used so that the last-admin check and the change it guards
   * cannot interleave with another request.
   */
  transaction<T>(fn: (repo: Repository<UserEntity>) => Promise<T>): Promise<T> {
    return this.repo.manager.transaction((m) => fn(m.getRepository(UserEntity)));
  }
}
