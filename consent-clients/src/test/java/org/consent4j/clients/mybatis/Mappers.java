package org.consent4j.clients.mybatis;

import java.util.List;
import org.apache.ibatis.annotations.CacheNamespace;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.One;
import org.apache.ibatis.annotations.Result;
import org.apache.ibatis.annotations.Results;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.mapping.FetchType;

/** The mappers of the MyBatis tests; {@code ${p}} is the table prefix (a configuration variable). */
final class Mappers {
  private Mappers() {}

  /** Plain statements: only the session's local cache. */
  interface ContactMapper {
    @Select("SELECT id, country, email, phone FROM ${p}contact WHERE id = #{id}")
    ContactRow byId(int id);

    @Select("SELECT id, country, email, phone FROM ${p}contact ORDER BY id")
    List<ContactRow> all();

    @Insert("INSERT INTO ${p}contact (id, country, email, phone)"
        + " VALUES (#{id}, #{country}, #{email,jdbcType=VARCHAR}, #{phone,jdbcType=VARCHAR})")
    int insert(ContactRow row);

    @Insert("INSERT INTO ${p}customer (email) VALUES (#{email})")
    @org.apache.ibatis.annotations.Options(useGeneratedKeys = true, keyProperty = "id", keyColumn = "id")
    int insertCustomer(ContactRow customer);
  }

  /** The same table behind a mapper cache. */
  @CacheNamespace
  interface CachedContactMapper {
    @Select("SELECT id, country, email, phone FROM ${p}contact WHERE id = #{id}")
    ContactRow byId(int id);
  }

  /** A mapper cache over a table consent4j does not map. */
  @CacheNamespace
  interface ExportListMapper {
    @Select("SELECT email FROM ${p}export_list WHERE id = #{id}")
    String emailOf(int id);
  }

  /** A lazy nested select. */
  interface LazyFriendMapper {
    @Select("SELECT id, country, email, phone FROM ${p}contact WHERE id = #{id}")
    @Results({@Result(property = "id", column = "id", id = true),
        @Result(property = "friend", column = "id", one = @One(select = "friendOf", fetchType = FetchType.LAZY))})
    ContactRow withFriend(int id);

    @Select("SELECT id, country, email, phone FROM ${p}contact WHERE id = #{id} + 1")
    ContactRow friendOf(int id);
  }
}
